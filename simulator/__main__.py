from simulator._entry import main

main()
