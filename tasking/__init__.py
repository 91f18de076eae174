"""Tasking: requests and responses, coalition operations, SSN tasks and their sweeps."""
