"""The WeChat Official Account (公众号) channel: settings, the push endpoint, the access
token and the bridge feeding pushes to the dispatcher. Not wired into `python -m bot` yet."""
