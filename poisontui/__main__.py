from poisontui.cli import main

raise SystemExit(main())
