from router import create_app

app = create_app()
