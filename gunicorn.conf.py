"""gunicorn settings: the access log never records client addresses."""

bind = "127.0.0.1:8000"
workers = 2
accesslog = "-"
access_log_format = '- - %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """Build the partner match index before this worker takes requests."""
    from openncii.views.partner_api import warm_match_index

    warm_match_index(worker.wsgi)
