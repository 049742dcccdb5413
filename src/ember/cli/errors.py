"""The one exception the command line turns into a one-line message and exit status 2."""


class CLIError(Exception):
    """Bad input from the user: printed as ``ember: error: <message>``, exit status 2."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status
