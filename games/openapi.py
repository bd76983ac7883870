"""The OpenAPI 3.0 document of the seamless-wallet API (served at /api/wallet/v1/openapi.json)."""

from __future__ import annotations

from games.api import EXTERNAL_ID_MAX, FIELDS

ERROR_CODES = ["INSUFFICIENT_FUNDS", "INVALID_TOKEN", "TOKEN_EXPIRED", "PLAYER_BLOCKED", "LIMIT_REACHED",
               "INVALID_GAME", "WRONG_CURRENCY", "DUPLICATE_TRANSACTION", "TRANSACTION_NOT_FOUND",
               "BET_ROLLED_BACK", "WRONG_SYNTAX", "INVALID_SIGNATURE", "INTERNAL_RETRY"]

SUMMARIES = {
    "authenticate": "Validate a game-session token; returns the player and balance",
    "balance": "The player's balance",
    "bet": "Debit the player (cash first, then bonus)",
    "win": "Credit the player",
    "rollback": "Reverse the bet named by rollback_transaction_id",
    "end-round": "Close the round; moves no money",
}


def _field_schema(kind: str) -> dict:
    kind = kind.rstrip("?")
    if kind == "id":
        return {"type": "string", "minLength": 1, "maxLength": EXTERNAL_ID_MAX}
    if kind == "amount":
        return {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$", "example": "12.50",
                "description": "Decimal string, at most the currency's decimals; zero allowed, never negative."}
    if kind == "currency":
        return {"type": "string", "pattern": "^[A-Z]{3}$", "example": "EUR"}
    return {"type": "boolean"}


def document() -> dict:
    paths = {}
    for op in FIELDS:
        schema_name = "".join(part.capitalize() for part in op.split("-")) + "Request"
        paths[f"/api/wallet/v1/{{provider_code}}/{op}"] = {
            "post": {
                "operationId": op.replace("-", "_"),
                "summary": SUMMARIES[op],
                "parameters": [
                    {"name": "provider_code", "in": "path", "required": True,
                     "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]{1,32}$"}},
                    {"name": "X-Wallet-Timestamp", "in": "header", "required": True,
                     "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
                     "description": "Unix seconds; refused when more than 300 s from the server clock."},
                    {"name": "X-Wallet-Signature", "in": "header", "required": True,
                     "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                     "description": "Lowercase hex HMAC-SHA256(provider_secret, timestamp + '.' + raw_body)."},
                ],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{schema_name}"}}}},
                "responses": {
                    "200": {"description": "Success (status OK) or a business refusal (status ERROR)",
                            "content": {"application/json": {"schema": {"oneOf": [
                                {"$ref": "#/components/schemas/Ok"}, {"$ref": "#/components/schemas/Error"}]}}}},
                    "400": {"description": "WRONG_SYNTAX", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}},
                    "401": {"description": "INVALID_SIGNATURE", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}},
                    "500": {"description": "INTERNAL_RETRY: retry the same request", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }
        }
    schemas = {
        "Ok": {"type": "object", "required": ["status", "player_id", "currency", "balance", "cash", "bonus"],
               "properties": {"status": {"type": "string", "enum": ["OK"]}, "player_id": {"type": "string"},
                              "currency": {"type": "string"}, "balance": {"type": "string"},
                              "cash": {"type": "string"}, "bonus": {"type": "string"},
                              "transaction_id": {"type": "string",
                                                 "description": "The operator's id (money operations)."},
                              "game_id": {"type": "string",
                                          "description": "authenticate only: the game the session was opened for."}}},
        "Error": {"type": "object", "required": ["status", "code", "message"],
                  "properties": {"status": {"type": "string", "enum": ["ERROR"]},
                                 "code": {"type": "string", "enum": ERROR_CODES},
                                 "message": {"type": "string"},
                                 "balance": {"type": "string", "description": "Current balance, where known."}}},
    }
    for op, fields in FIELDS.items():
        schema_name = "".join(part.capitalize() for part in op.split("-")) + "Request"
        schemas[schema_name] = {
            "type": "object",
            "required": [k for k, v in fields.items() if not v.endswith("?")],
            "properties": {k: _field_schema(v) for k, v in fields.items()},
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Seamless-wallet API", "version": "1.0.0",
                 "description": "The operator's wallet for game providers. See docs/wallet-api.md."},
        "paths": paths,
        "components": {"schemas": schemas},
    }
