#!/usr/bin/env bash
# Small pipelines over tap's JSON output, each one a function you can copy into your own scripts.
#
#   examples/pipeline.sh                 run them all
#   examples/pipeline.sh per_station     run one (or several)
#   examples/pipeline.sh --list          list their names
#
# Needs tap and jq (1.6 or later). tap writes only the result to stdout (one JSON document with
# --json, one object a line with --jsonl); messages go to stderr, so they never break a pipe.
# Contact fields (camelCase): id, email, firstName, lastName, station, show, contactType, region,
# genres (list), status ("opted-in", "unsubscribed", "bounced", "pending", ...), website, notes,
# tags (list), phone, airtableId, extra, createdAt, updatedAt. Timestamps are ISO-8601 UTC.
set -euo pipefail

CSV="${CSV:-$(dirname "$0")/contacts.csv}"

# Emails of opted-in contacts who take indie: paste into a BCC line or a Mailchimp import.
indie_emails() {
  tap contacts list --genre indie --json \
    | jq -r '.[] | select(.status == "opted-in") | .email'
}

# How many contacts each station has, biggest first (contacts without a station count as null).
per_station() {
  tap contacts list --jsonl \
    | jq -s 'group_by(.station) | map({station: .[0].station, n: length}) | sort_by(-.n)'
}

# Integrations that are configured but failing (empty output means all is well). `ok` is null when
# nothing was probed (`tap status --offline`), so compare with false rather than negate it.
broken_integrations() {
  tap status --json \
    | jq '.integrations[] | select(.configured and .ok == false)'
}

# What importing the sample CSV would reject, without changing anything (--dry-run).
import_rejects() {
  tap contacts import "$CSV" --dry-run --json \
    | jq '.rejected'
}

# The same, one tab-separated line per rejected row: row number, email, reason.
import_rejects_tsv() {
  tap contacts import "$CSV" --dry-run --json \
    | jq -r '.rejected[] | [.row, (.email // ""), .reason] | @tsv'
}

# The counts of a dry-run import.
import_summary() {
  tap contacts import "$CSV" --dry-run --json \
    | jq '{created, updated, merged, unchanged, rejected: (.rejected | length)}'
}

# Who must not be mailed: unsubscribed or bounced.
do_not_mail() {
  tap contacts list --jsonl \
    | jq -r 'select(.status == "unsubscribed" or .status == "bounced") | [.status, .email] | @tsv'
}

# Contacts with no station, with their Airtable record id so you can fix them there.
no_station() {
  tap contacts list --jsonl \
    | jq -r 'select((.station // "") == "") | [.email, (.airtableId // "")] | @tsv'
}

# How many contacts list each genre, most common first.
genre_counts() {
  tap contacts list --jsonl \
    | jq -s '[.[].genres[]? | ascii_downcase] | group_by(.) | map({genre: .[0], n: length}) | sort_by(-.n)'
}

# The 15 most common email domains: free-mail freelancers and typo'd domains stand out.
email_domains() {
  tap contacts list --jsonl \
    | jq -r '(.email // "") | split("@") | last | ascii_downcase' \
    | sort | uniq -c | sort -rn | sed -n 1,15p
}

# Opted-in contacts tagged "Priority", as CSV for a mail merge. jq's @csv does not defuse cells that
# start with = + - @, so open the result in a spreadsheet only if you trust the data.
priority_csv() {
  tap contacts list --json \
    | jq -r '["email", "firstName", "lastName", "station", "show"],
             (.[] | select(.status == "opted-in" and any(.tags[]?; ascii_downcase == "priority"))
                  | [.email, .firstName, .lastName, .station, .show])
             | @csv'
}

# Contacts not updated for 90 days (GNU date). ISO-8601 UTC strings sort like the times they name,
# so a string comparison is enough.
stale() {
  local cutoff
  cutoff=$(date -u -d '90 days ago' +%Y-%m-%dT%H:%M:%S)
  tap contacts list --jsonl \
    | jq -r --arg cutoff "$cutoff" 'select(.updatedAt < $cutoff) | [.updatedAt, .email] | @tsv'
}

# Contacts whose import kept columns tap does not map (such as "Last Contacted") in `extra`.
with_extra() {
  tap contacts list --jsonl \
    | jq -c 'select((.extra // {}) != {}) | {email, extra}'
}

PIPELINES=(indie_emails per_station broken_integrations import_rejects import_rejects_tsv import_summary
           do_not_mail no_station genre_counts email_domains priority_csv stale with_extra)

main() {
  command -v jq >/dev/null || { echo "pipeline.sh: jq is needed (https://jqlang.github.io/jq/)" >&2; exit 2; }
  command -v tap >/dev/null || { echo "pipeline.sh: tap is not on PATH" >&2; exit 2; }
  if [[ $# -eq 0 ]]; then set -- "${PIPELINES[@]}"; fi
  local name
  for name in "$@"; do
    if [[ $name == --list ]]; then printf '%s\n' "${PIPELINES[@]}"; continue; fi
    if [[ " ${PIPELINES[*]} " != *" $name "* ]]; then
      echo "pipeline.sh: unknown pipeline '$name' (try --list)" >&2
      exit 2
    fi
    echo "== $name" >&2
    "$name"
  done
}

main "$@"
