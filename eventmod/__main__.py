from eventmod.cli.app import main

main()
