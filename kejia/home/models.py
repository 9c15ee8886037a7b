"""The S&T worker's online home and the public pages: find an association near me, an association's public page."""
