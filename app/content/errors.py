class ContentError(ValueError):
    """A card file that cannot be served. The message names the file, the field and the problem."""

    def __init__(self, path: str, field: str, problem: str) -> None:
        self.path, self.field, self.problem = path, field, problem
        super().__init__(f"{path}: {field}: {problem}")
