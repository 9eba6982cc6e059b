"""POST /todos: validates the JSON body and echoes the new item with an id."""
import json
import os
import uuid


def respond(status, body):
    # REST proxy integration: the function itself must send Access-Control-Allow-Origin.
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": os.environ["ALLOWED_ORIGIN"],
        },
        "body": json.dumps(body),
    }


def handler(event, context):
    try:
        item = json.loads(event["body"] or "")
    except ValueError:
        return respond(400, {"message": "the body must be JSON"})
    if not isinstance(item, dict) or not item.get("title"):
        return respond(400, {"message": "a to-do needs a title"})
    return respond(201, {"id": str(uuid.uuid4()), "title": item["title"], "done": False})
