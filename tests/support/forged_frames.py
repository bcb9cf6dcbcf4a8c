"""Submission source shared by the sandbox tests that forge traffic on the worker's channel.

A submission that includes FORGING_HELPERS can find the worker's socket
(``_channel_fd()``) and write a frame of the sandbox protocol to it
(``_frame(header)``), as an attacker would; the tests check that such
forged progress, replies and results end the worker instead of fooling
the judge. The submission must import json, os, stat and struct.
"""
FORGING_HELPERS = '''
def _channel_fd():
    return [fd for fd in range(64) if _is_socket(fd)][0]

def _is_socket(fd):
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False

def _frame(header):
    body = json.dumps(dict(header, blobs=[])).encode()
    return b"AGW1" + struct.pack(">I", len(body)) + body
'''
