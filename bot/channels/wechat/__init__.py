"""The WeChat Official Account (公众号) channel: settings, the push endpoint and the access
token. Not wired into `python -m bot` yet: the dispatcher bridge comes later."""
