# Sourced by the remote benchmarks (bash): starts the test bed of scripts/testbed/ unless
# TB_AVAILABLE=1 says one is running, makes a scratch folder $work, and on exit removes it and
# stops the test bed it started. Needs $repo.
if [[ "${TB_AVAILABLE:-0}" != 1 ]]; then
    REMOTE_TESTBED=require
    # shellcheck source=../scripts/testbed/testbed.sh
    source "$repo/scripts/testbed/testbed.sh"
    trap tb_down EXIT
    tb_up
fi
work=$(mktemp -d)
trap 'rm -rf "$work"; [[ "$(type -t tb_down)" == function ]] && tb_down' EXIT
ssh_tb() { ssh -F "$TB_SSH_CONFIG" tb "$@"; }
