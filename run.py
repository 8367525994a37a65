"""Development server on embedded defaults: ``python run.py``.

Creates and migrates the SQLite database in instance/, loads demo data into a
new database and prints the admin credentials once."""
import os

from portal import create_app

app = create_app(os.environ.get("PORTAL_CONFIG", "config.Config"))

if __name__ == "__main__":
    host = os.environ.get("PORTAL_HOST", "127.0.0.1")
    port = int(os.environ.get("PORTAL_PORT", "5000"))
    print(f" * AlemTrust: http://{host}:{port}/", flush=True)
    app.run(host=host, port=port, debug=os.environ.get("FLASK_DEBUG") == "1", use_reloader=False)
