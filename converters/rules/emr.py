"""EMR Serverless: EmrServerlessStartJobOperator through dagster-aws's ``PipesEMRServerlessClient``."""

from __future__ import annotations

from converters.inventory.operators import canonical
from converters.rules.base import JUDG, NONE, Code, Rule, TaskInput, Translation, Untranslatable, template_xcoms

# operator argument -> StartJobRun parameter (the operator's template fields, rendered like Airflow renders them)
START_JOB_RUN = {
    "application_id": "applicationId",
    "execution_role_arn": "executionRoleArn",
    "job_driver": "jobDriver",
    "configuration_overrides": "configurationOverrides",
    "name": "name",
    "client_request_token": "clientToken",
}


class EmrServerlessStartJob(Rule):
    """What it does: starts the job run on the EMR Serverless application with ``PipesEMRServerlessClient`` and
    waits for it; the job run's id and state are the materialization's metadata.

    Why: the job is the task; application, role, job driver, configuration overrides, name and ``config`` (extra
    StartJobRun parameters) are rendered and sent as the operator sends them, with the AWS connection of
    ``AIRFLOW_CONN_<AWS_CONN_ID>``. JUDG: Pipes adds Dagster's environment to ``sparkSubmitParameters`` and tags
    the run, the job's code reports to Dagster only if it uses ``dagster-pipes`` (with CloudWatch logging on),
    and the step always waits for the job (``wait_for_completion=False`` and ``deferrable`` are not reproduced).

    Example:
    ```python
    from datetime import datetime

    from airflow import DAG
    from airflow.providers.amazon.aws.operators.emr import EmrServerlessStartJobOperator

    with DAG("spark", schedule="@daily", start_date=datetime(2024, 1, 1)):
        EmrServerlessStartJobOperator(
            task_id="aggregate",
            application_id="00f1abcd",
            execution_role_arn="arn:aws:iam::123456789012:role/emr-jobs",
            job_driver={"sparkSubmit": {"entryPoint": "s3://jobs/aggregate.py", "entryPointArguments": ["{{ ds }}"]}},
            configuration_overrides={},
        )
    ```

    Becomes:
    ```python
    # spark.py:7 · task aggregate · rule emr.serverless_start_job · JUDG
    # note: Pipes adds Dagster's environment to sparkSubmitParameters and tags the job run
    @task_asset(
        DAG,
        "aggregate",
        key=["spark", "aggregate"],
        group_name="spark",
        kinds={"emr"},
        partitions_def=PARTITIONS,
        metadata={
            "airflow/source": "spark.py:7",
            "airflow/task_id": "aggregate",
            "airflow/operator": "airflow.providers.amazon.aws.operators.emr.EmrServerlessStartJobOperator",
            "airflow/rule": "emr.serverless_start_job",
            "airflow/disposition": "JUDG",
            "airflow/reason": "the same job run starts through Pipes and the step waits for it",
            "airflow/notes": ["Pipes adds Dagster's environment to sparkSubmitParameters and tags the job run"],
        },
    )
    def aggregate(context: dg.AssetExecutionContext):
        from dagster_aws.pipes import PipesCloudWatchMessageReader, PipesEMRServerlessClient

        airflow = task_context(context, DAG, "aggregate")
        emr = AwsBaseHook(aws_conn_id="aws_default", client_type="emr-serverless").get_conn()
        logs = AwsBaseHook(aws_conn_id="aws_default", client_type="logs").get_conn()
        pipes = PipesEMRServerlessClient(client=emr, message_reader=PipesCloudWatchMessageReader(client=logs))
        params = render(
            {
                "applicationId": "00f1abcd",
                "executionRoleArn": "arn:aws:iam::123456789012:role/emr-jobs",
                "jobDriver": {"sparkSubmit": {"entryPoint": "s3://jobs/aggregate.py", "entryPointArguments": ["{{ ds }}"]}},
                "configurationOverrides": {},
            },
            airflow,
            DAG,
            template_ext=(),
        )
        return pipes.run(context=context, start_job_run_params=params).get_materialize_result()
    ```
    """

    name = "emr.serverless_start_job"
    operators = canonical("EmrServerlessStartJobOperator")
    disposition = JUDG
    emits = "an asset running the rendered job run through PipesEMRServerlessClient (the AWS connection's client)"

    def translate(self, task: TaskInput) -> Translation:
        conn_id = task.args.get("aws_conn_id", "aws_default")
        required = [task.args.get(a) for a in ("application_id", "execution_role_arn", "job_driver")]
        # Without a literal connection id, application, role and job driver we can't know what runs where.
        if (conn_id is not None and not isinstance(conn_id, str)) or any(v is None for v in required):
            return Translation(NONE, "the AWS connection id, application, role or job driver is not a literal")
        params = {api: task.args[arg] for arg, api in START_JOB_RUN.items() if task.args.get(arg) is not None}
        extra = task.args.get("config")
        pulled = template_xcoms([params, extra])
        # Pulls from tasks known only at run time can't become asset inputs.
        if pulled is None:
            return Translation(NONE, "the job's templates pull XComs from tasks known only at run time")
        t = Translation(JUDG, "the same job run starts through Pipes and the step waits for it", kinds=("emr",))
        t.inputs.extend(pulled)
        t.notes.append("Pipes adds Dagster's environment to sparkSubmitParameters and tags the job run")
        if task.args.get("wait_for_completion") is False or task.args.get("deferrable"):
            t.notes.append("wait_for_completion=False/deferrable: the step waits for the job run all the same")
        code = Code(t)
        t.support.add("render")
        t.imports |= {
            "from ..support.hooks import AwsBaseHook",
            "from dagster_aws.pipes import PipesEMRServerlessClient",
        }
        t.imports.add("from dagster_aws.pipes import PipesCloudWatchMessageReader")
        try:
            connection = code.value(conn_id)
            merged = f"{{**{code.value(extra)}, **{code.value(params)}}}" if extra else code.value(params)
        except Untranslatable as exc:
            # If a job argument can't be written as code, the asset can't start the same job.
            return Translation(NONE, f"the EMR Serverless job {exc}")
        t.body += [
            f'emr = AwsBaseHook(aws_conn_id={connection}, client_type="emr-serverless").get_conn()',
            f'logs = AwsBaseHook(aws_conn_id={connection}, client_type="logs").get_conn()',
            "pipes = PipesEMRServerlessClient(client=emr, message_reader=PipesCloudWatchMessageReader(client=logs))",
            f"params = render({merged}, airflow, DAG, template_ext=())",
            "return pipes.run(context=context, start_job_run_params=params).get_materialize_result()",
        ]
        t.consumed |= set(START_JOB_RUN) | {"aws_conn_id", "config", "wait_for_completion", "deferrable"}
        t.consumed |= {"waiter_delay", "waiter_max_attempts", "waiter_check_interval_seconds", "waiter_countdown"}
        return t


ORDER = 76
RULES = [EmrServerlessStartJob]
