"""Development server on embedded defaults: ``python run.py``.

Creates and migrates the SQLite database in instance/, loads demo data into a
new database and, at that first start, prints one block: the address, the
admin login (with its generated password) and the demo logins."""
import os

from portal import announce_first_start, create_app

HOST = os.environ.get("PORTAL_HOST", "127.0.0.1")
PORT = int(os.environ.get("PORTAL_PORT", "5000"))
URL = f"http://{HOST}:{PORT}/"

app = create_app(os.environ.get("PORTAL_CONFIG", "config.Config"), announce=False)

if __name__ == "__main__":
    print(announce_first_start(app, URL) or f" * AlemTrust: {URL}", flush=True)
    app.run(host=HOST, port=PORT, debug=os.environ.get("FLASK_DEBUG") == "1", use_reloader=False)
