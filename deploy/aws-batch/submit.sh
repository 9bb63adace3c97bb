#!/usr/bin/env bash
# Submit a scaled-out aegisthus export to AWS Batch: an array job of N children
# (each child's AWS_BATCH_JOB_ARRAY_INDEX is its shard; an array has 2 to
# 10,000 children), then the commit job, which depends on the array job as a
# whole: it starts only when every child succeeded. Register the two job
# definitions first:
#
#   aws batch register-job-definition --cli-input-json file://deploy/aws-batch/export-job-definition.json
#   aws batch register-job-definition --cli-input-json file://deploy/aws-batch/commit-job-definition.json
#
#   deploy/aws-batch/submit.sh QUEUE s3://exports/2024-06-01.plan.json s3://exports/2024-06-01 16
set -euo pipefail
queue=$1 plan=$2 out=$3 shards=$4
params="plan=$plan,out=$out,shards=$shards"
export_id=$(aws batch submit-job --job-name aegisthus-export --job-queue "$queue" \
	--job-definition aegisthus-export --array-properties "size=$shards" \
	--parameters "$params" --query jobId --output text)
commit_id=$(aws batch submit-job --job-name aegisthus-commit --job-queue "$queue" \
	--job-definition aegisthus-commit --depends-on "jobId=$export_id" \
	--parameters "plan=$plan,out=$out" --query jobId --output text)
echo "export array job $export_id ($shards shards), commit job $commit_id"
