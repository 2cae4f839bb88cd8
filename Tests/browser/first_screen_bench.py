#!/usr/bin/env python3
"""Time to first screen of the web client, in headless Chromium: from navigation start to the
paint of the first messages (the `switchboard:first-messages` mark), for signed-in users of a
large workspace, and the bytes it took: HTTP (page, modules, styles; as transferred) and the
gateway's frames up to `ready` (payload bytes, before permessage-deflate).

Usage: first_screen_bench.py EDGE_URL TOKENS_FILE [LOADS_PER_USER] > results.json
TOKENS_FILE holds one `user_id token` per line.
"""
import json
import shutil
import statistics
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def load(driver, edge, user_id, token, cold):
    driver.get(edge + "/favicon-none")  # same origin, to write localStorage before the app starts
    driver.execute_script("localStorage.setItem('switchboard.session', JSON.stringify({token: arguments[0], userID: arguments[1]}))",
                          token, user_id)
    if cold:
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get_log("performance")  # drop what came before
    driver.get(edge + "/")
    deadline = time.time() + 30
    mark = None
    while time.time() < deadline and mark is None:
        mark = driver.execute_script(
            "const m = performance.getEntriesByName('switchboard:first-messages')[0]; return m ? m.startTime : null")
        if mark is None:
            time.sleep(0.02)
    if mark is None:
        raise RuntimeError(f"no first screen for user {user_id}")
    http = driver.execute_script(
        "const cut = arguments[0];"
        "const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];"
        "return entries.filter((e) => e.responseEnd <= cut).reduce((sum, e) => sum + (e.transferSize || 0), 0)", mark)
    websocket = 0
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.webSocketFrameReceived":
            payload = message["params"]["response"]["payloadData"]
            websocket += len(payload.encode())
            if '"op":"ready"' in payload:
                break
    return {"first_screen_ms": mark, "http_bytes": http, "gateway_bytes": websocket}


def main(edge, tokens_file, loads_per_user=3):
    users = [line.split() for line in open(tokens_file) if line.strip()]
    driver = browser()
    runs = []
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        for user_id, token in users:
            for index in range(loads_per_user):
                run = load(driver, edge, user_id, token, cold=index == 0)
                run.update(user_id=user_id, cold=index == 0)
                runs.append(run)
                print(f"user {user_id} {'cold' if index == 0 else 'warm'}: {run['first_screen_ms']:.0f} ms, "
                      f"{run['http_bytes']} B HTTP, {run['gateway_bytes']} B gateway", file=sys.stderr)
    finally:
        driver.quit()

    def summary(selected):
        times = sorted(r["first_screen_ms"] for r in selected)
        return {"loads": len(selected), "p50_ms": statistics.median(times),
                "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
                "http_bytes_p50": statistics.median(r["http_bytes"] for r in selected),
                "gateway_bytes_p50": statistics.median(r["gateway_bytes"] for r in selected)}
    result = {"cold": summary([r for r in runs if r["cold"]]), "warm": summary([r for r in runs if not r["cold"]]), "runs": runs}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
