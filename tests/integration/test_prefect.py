"""A Prefect flow runs against the stack's Prefect server (with its basic auth)."""

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.integration

FLOW = textwrap.dedent('''
    import asyncio, json
    from prefect import flow, task
    from prefect.client.orchestration import get_client

    @task
    def double(x: int) -> int:
        return 2 * x

    @flow(name="sijil-smoke")
    def smoke(n: int) -> int:
        return sum(double.map(range(n)).result())

    async def stored_state(run_id):
        async with get_client() as client:
            run = await client.read_flow_run(run_id)
            return run.state.type.value, run.name

    state = smoke(4, return_state=True)
    run_id = state.state_details.flow_run_id
    print(json.dumps({"result": state.result(), "server_state": asyncio.run(stored_state(run_id))}))
''')


def test_flow_runs_on_the_stack_server(prefect_env):
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PREFECT_")}
    env.update(prefect_env)
    out = subprocess.run([sys.executable, "-c", FLOW], env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["result"] == 12
    assert answer["server_state"][0] == "COMPLETED"


def test_server_refuses_requests_without_credentials(settings, prefect_env):
    import urllib.error
    import urllib.request

    def post(auth: str | None) -> int:
        request = urllib.request.Request(f"{settings.prefect_api_url}/flows/filter", data=b"{}", method="POST",
                                         headers={"Content-Type": "application/json"})
        if auth:
            import base64
            request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert post(None) == 401
    assert post("sijil:wrong") == 401
    assert post(settings.prefect_auth_string.get_secret_value()) == 200
