"""In-memory fakes of the service's ports."""
