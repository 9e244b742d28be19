"""Local helpers: run a Lambda handler in-process on the same event files `sam local invoke -e` takes."""
