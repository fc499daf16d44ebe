"""Real-looking secrets of every type :func:`dna_kit.redact.redact` knows, built at run time.

They are generated from a seeded random source rather than written out, so the repository
holds no string a secret scanner would flag, and every run uses the same values.
Each entry: the placeholder type expected, the secret itself (which must never appear in
anything redacted), and a line of incident text that carries it.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS


@dataclass(frozen=True)
class Seeded:
    kind: str
    secret: str
    line: str


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _mixed(rng: random.Random, alphabet: str, n: int) -> str:
    # Make sure the value has upper, lower and digits, as real keys almost always do.
    core = _pick(rng, alphabet, n - 3)
    return core + rng.choice(UPPER) + rng.choice(LOWER) + rng.choice(DIGITS)


def _b64url(rng: random.Random, n: int) -> str:
    return _mixed(rng, ALNUM + "-_", n)


def seeded_secrets(seed: int = 7) -> list[Seeded]:
    """One or more secrets of every type, each inside a plausible line of incident text."""
    rng = random.Random(seed)
    aws_id = "AKIA" + _pick(rng, UPPER + DIGITS, 16)
    aws_secret = _mixed(rng, ALNUM, 30) + "/" + _mixed(rng, ALNUM, 4) + "+" + _pick(rng, ALNUM, 4)
    aws_secret_bare = _mixed(rng, ALNUM, 20) + "+" + _mixed(rng, ALNUM, 19)
    gcp = "AIza" + _b64url(rng, 35)
    gcp_oauth = "ya29." + _b64url(rng, 60)
    azure_account = _mixed(rng, ALNUM + "+/", 86) + "=="
    azure_sig = _mixed(rng, ALNUM, 40) + "%3D"
    azure_client = _pick(rng, ALNUM, 3) + "8Q~" + _mixed(rng, ALNUM + "_~.-", 34)
    ghp = "ghp_" + _mixed(rng, ALNUM, 36)
    github_pat = "github_pat_" + _mixed(rng, ALNUM, 22) + "_" + _mixed(rng, ALNUM, 59)
    glpat = "glpat-" + _b64url(rng, 20)
    xoxb = "xoxb-" + _pick(rng, DIGITS, 12) + "-" + _pick(rng, DIGITS, 13) + "-" + _mixed(rng, ALNUM, 24)
    xoxp = "xoxp-" + _pick(rng, DIGITS, 12) + "-" + _pick(rng, DIGITS, 12) + "-" + _mixed(rng, ALNUM, 32)
    webhook = ("https://hooks.slack.com/services/T" + _pick(rng, UPPER + DIGITS, 8) + "/B"
               + _pick(rng, UPPER + DIGITS, 10) + "/" + _mixed(rng, ALNUM, 24))
    stripe = "sk_live_" + _mixed(rng, ALNUM, 24)
    stripe_restricted = "rk_test_" + _mixed(rng, ALNUM, 24)
    openai = "sk-proj-" + _b64url(rng, 48)
    openai_plain = "sk-" + _mixed(rng, ALNUM, 48)
    header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    payload = "eyJ" + _b64url(rng, 40)
    jwt = f"{header}.{payload}.{_b64url(rng, 43)}"
    bearer = _b64url(rng, 32)
    basic = _mixed(rng, ALNUM, 24) + "=="
    pem_body = "\n".join(_mixed(rng, ALNUM + "+/", 64) for _ in range(4))
    private_key = f"-----BEGIN RSA PRIVATE KEY-----\n{pem_body}\n-----END RSA PRIVATE KEY-----"
    url_password = "p4ss-" + _mixed(rng, ALNUM, 10)
    config_password = "Hx!" + _mixed(rng, ALNUM, 12)
    api_key_setting = _mixed(rng, ALNUM, 32)
    email = "ana.souza+oncall@example-logistics.com"
    phone_intl = "+44 20 7946 0958"
    phone_us = "(415) 555-0132"
    phone_context = "0171 555 0199"
    return [
        Seeded("aws_access_key", aws_id, f"The leaked key was {aws_id} (rotated at 10:42)."),
        Seeded("aws_secret_key", aws_secret, f"aws_secret_access_key = {aws_secret}"),
        Seeded("aws_secret_key", aws_secret_bare, f"and the secret {aws_secret_bare} was in the log"),
        Seeded("gcp_api_key", gcp, f"maps client used key={gcp} for geocoding"),
        Seeded("gcp_oauth_token", gcp_oauth, f"curl -H 'X-Goog-Token: {gcp_oauth}'"),
        Seeded("azure_key", azure_account,
               f"DefaultEndpointsProtocol=https;AccountName=dispatch;AccountKey={azure_account};"),
        Seeded("azure_key", azure_sig,
               f"blob url https://x.blob.core.windows.net/c/f?sv=2022-11-02&sig={azure_sig}"),
        Seeded("azure_key", azure_client, f"client secret {azure_client} expired on Friday"),
        Seeded("github_token", ghp, f"CI pushed with {ghp} after the revert"),
        Seeded("github_token", github_pat, f"the fine-grained token {github_pat} had admin"),
        Seeded("gitlab_token", glpat, f"runner token {glpat} was rotated"),
        Seeded("slack_token", xoxb, f"the bot ({xoxb}) posted the alert"),
        Seeded("slack_token", xoxp, f"user token {xoxp} in the script"),
        Seeded("slack_webhook", webhook, f"alerts go to {webhook} (the #dispatch channel)"),
        Seeded("stripe_key", stripe, f"billing retried with {stripe} three times"),
        Seeded("stripe_key", stripe_restricted, f"restricted key {stripe_restricted}"),
        Seeded("openai_key", openai, f"OPENAI_API_KEY={openai}"),
        Seeded("openai_key", openai_plain, f"the summariser used {openai_plain}"),
        Seeded("jwt", jwt, f"the session cookie {jwt} outlived the 15 min expiry"),
        Seeded("bearer_token", bearer, f"Authorization: Bearer {bearer}"),
        Seeded("basic_auth", basic, f"Authorization: Basic {basic}"),
        Seeded("private_key", pem_body.splitlines()[1], private_key),
        Seeded("url_password", url_password,
               f"DATABASE_URL=postgres://dispatch:{url_password}@db.internal:5432/orders"),
        Seeded("password", config_password, f"db_password: '{config_password}'"),
        Seeded("password", api_key_setting, f'"api_key": "{api_key_setting}",'),
        Seeded("email", email, f"paged {email} at 03:12"),
        Seeded("phone", phone_intl, f"escalated to the carrier on {phone_intl}"),
        Seeded("phone", phone_us, f"their NOC ({phone_us}) confirmed the outage"),
        Seeded("phone", phone_context, f"on-call phone: {phone_context}"),
    ]
