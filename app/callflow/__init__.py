"""Call flows: the SIP messages of one user call, as a ladder, text, PNG and pcap.

Pure code: no pjsua2, Qt or I/O. The engine captures (app/sip/capture.py), records and stores
(app/engine/callflow.py, app/store/callflows.py); the window and `deskphone --call-flow` show
and export what is stored.
"""
