"""The numbered therapist responses (keys 1-9 or the mouse)."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class ChoiceList(OptionList):
    class Chosen(Message):
        """Posted when the trainee picks a response."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, **kw: object) -> None:
        super().__init__(markup=False, **kw)  # type: ignore[arg-type]

    def show(self, says: list[str]) -> None:
        self.clear_options()
        self.add_options([Option(f"{i}. {say}", id=f"choice-{i}") for i, say in enumerate(says, 1)])
        self.highlighted = 0 if says else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option_index))
