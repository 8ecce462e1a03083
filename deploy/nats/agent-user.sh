#!/bin/sh
# Prints the auth.conf entry of the agent user for one host: paste it between BEGIN AGENTS and
# END AGENTS, and set the password variable it names in the server's environment.
#
#   deploy/nats/agent-user.sh web-7.example.com
#
# The host is sanitised exactly as fleetprof sanitises subject tokens (subjectToken in
# @fleetprof/proto): every character outside [A-Za-z0-9_-] becomes "_", at most 64 characters.
set -eu
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 HOST" >&2
  exit 2
fi
token=$(printf '%s' "$1" | LC_ALL=C.UTF-8 sed 's/[^A-Za-z0-9_-]/_/g' | cut -c1-64)
variable="FLEETPROF_NATS_AGENT_$(printf '%s' "$token" | LC_ALL=C tr 'a-z-' 'A-Z_')_PASSWORD"
cat <<ENTRY
    {
      user: agent-$token
      password: \$$variable
      permissions: {
        publish: { allow: [ "fleetprof.samples.*.$token", "fleetprof.ctl.$token.capture.*.done", "\$JS.API.INFO", "\$JS.API.STREAM.INFO.FLEETPROF", "\$JS.API.STREAM.INFO.FLEETPROF_DLQ" ] }
        subscribe: { allow: [ "fleetprof.ctl.$token.>", "fleetprof.ctl.all.status", "_INBOX_$token.>" ] }
        allow_responses: { max: 1, expires: "1m" }
      }
    }
ENTRY
