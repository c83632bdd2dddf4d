"""Compatibility task folder (see its module): the task is `candor/performance_attestation`."""
