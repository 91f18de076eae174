"""The tasking app's API: requests, their transitions and messages, coalition operations."""
