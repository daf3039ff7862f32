"""Question styles: the same request worded the many ways people word it.

A phrasing from the seeds is one frame ("List {things} {filters}{scope}."). `vary` turns a filled frame into one
of its variants: an imperative's verb swapped for another of the same meaning ("Pull", "Bring up", "Give me"),
a polite or hurried opening ("Could you ...?", "Please ..."), a closing ("Thanks.", "ASAP."), or the request
made a wish ("I'd like to see ..."). Only the words around the request change, never what it asks, so the
answer stays right. `scope` words a company in one of the forms users write it.
"""

from __future__ import annotations

import random

# imperative verbs that open a request for rows, and their synonyms
LISTING = ("List", "Show", "Pull", "Get", "Display", "Bring up", "Return", "Fetch", "Give me", "Find", "Report")
OPENINGS = ("Could you {verb} ", "Can you {verb} ", "Please {verb} ", "Would you {verb} ", "I'd like you to {verb} ",
            "Help me {verb} ", "Quickly {verb} ", "I need you to {verb} ", "Is it possible to {verb} ",
            "How do I {verb} ", "Write me a query to {verb} ", "What's the SQL to {verb} ", "Could someone {verb} ",
            "Any way to {verb} ", "Need a query that will {verb} ", "Can I {verb} ")
WISHES = ("I'd like to see ", "I want to see ", "I need ", "Looking for ", "Need ", "Interested in ",
          "Trying to find ", "Hoping to get ", "Searching for ", "We need ", "My boss wants ", "Please send ")
CLOSINGS = (" Thanks.", " Thanks!", " Please.", " ASAP.", " Thank you.", " Cheers.", " When you can.", " No rush.",
            " Appreciate it.", " Thanks in advance.", " Need it today.", " For an audit.", " Sorted sensibly.",
            " T-SQL please.", " For SQL Server.", " Much appreciated.")
SCOPES = (" for company {co}", " in company {co}", " for Co {co}", " in {module} company {co}", " (company {co})",
          " at company {co}", " within company {co}", " for our company {co}", " in Co. {co}", " for company #{co}",
          " on company {co}'s books", " in company number {co}", " — company {co}", ", company {co}")
VARIED = 0.4  # share of questions given a variant


def scope(rng: random.Random, co: str, module: str) -> str:
    """How a question states its company, in one of the forms users write it."""
    return rng.choice(SCOPES).format(co=co, module=module or "the")


def vary(text: str, rng: random.Random) -> str:
    """`text` (a filled question) in another style, half the time; lines after the first are left alone."""
    head, newline, rest = text.partition("\n")
    if not head or rng.random() >= VARIED:
        return text
    verb = next((v for v in LISTING if head.startswith(v + " ")), None)
    if verb is not None:
        body = head[len(verb) + 1:].rstrip(".")
        choice = rng.randrange(3)
        if choice == 0:
            head = rng.choice(OPENINGS).format(verb=rng.choice(LISTING).lower()) + body + "?"
        elif choice == 1:
            head = rng.choice(WISHES) + body + "."
        else:
            head = f"{rng.choice(LISTING)} {body}."
    if rng.random() < 0.2:
        head = (head if head[-1:] in ".?!:" else head + ".") + rng.choice(CLOSINGS)
    return head + newline + rest
