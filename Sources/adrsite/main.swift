AdrsiteCommand.main()
