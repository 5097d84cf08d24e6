"""gunicorn settings: the access log never records client addresses."""

bind = "127.0.0.1:8000"
workers = 2
accesslog = "-"
access_log_format = '- - %(t)s "%(r)s" %(s)s %(b)s %(M)sms'
