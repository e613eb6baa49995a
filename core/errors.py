class ServiceError(Exception):
    """A business rule refused an action. The message is meant for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
