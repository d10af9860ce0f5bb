"""A real loopback HTTP server that speaks the DeepSeek wire protocol.

Used by the tests, the demo mode and the screenshots: the client talks real HTTP
to it on 127.0.0.1, and it replays scripted answers and faults.
"""
