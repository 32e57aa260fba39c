#!/usr/bin/env bash
# Deploys KDumpCloud's Azure side with the Azure CLI alone: the Bicep in bicep/ (resource group, storage, Service Bus,
# Key Vault, monitoring, the Function App, the dashboard when its sign-in app is given, and their roles), then the
# Function's code and the dashboard's. Every step is idempotent: run it
# again after a change and it converges. --what-if prints the commands and runs none of them.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  cat <<USAGE
Usage: infra/deploy.sh --resource-group NAME [options]

Deploys bicep/main.bicep into a resource group (created when missing), then publishes
functions/KDumpCloud.Functions to the Function App it created, and src/KDumpCloud.Dashboard.Web
to the dashboard when the deployment has one. Safe to run again.

Options:
  -g, --resource-group NAME  resource group to deploy into (required)
  -l, --location REGION      its region when it must be created (default: westeurope, or AZURE_LOCATION)
  -p, --parameters FILE      a .bicepparam file (default: bicep/main.bicepparam, which reads
                             AZURE_ENV_NAME, AZURE_LOCATION, KDUMPCLOUD_RELAY_PRINCIPAL_ID,
                             KDUMPCLOUD_ALERT_WEBHOOK_KIND, KDUMPCLOUD_ALERT_WEBHOOK_URL and
                             KDUMPCLOUD_DASHBOARD_SIGNIN_CLIENT_ID)
  -n, --name NAME            deployment name (default: kdumpcloud)
      --skip-code            deploy the infrastructure only, not the Function's or dashboard's code
      --what-if              print every command that would run, run none (no Azure needed)
      --preview              ask Azure what the deployment would change (az deployment group what-if), then stop
  -h, --help                 this text

Needs: az (signed in with rights to create role assignments, e.g. Owner or User Access
Administrator on the resource group), the .NET 10 SDK, and zip.
USAGE
}

resource_group=""
location="${AZURE_LOCATION:-westeurope}"
parameters="$repo/bicep/main.bicepparam"
deployment="kdumpcloud"
skip_code=false
what_if=false
preview=false

while [ $# -gt 0 ]; do
  case "$1" in
    -g|--resource-group) resource_group="${2:?$1 needs a value}"; shift 2 ;;
    -l|--location) location="${2:?$1 needs a value}"; shift 2 ;;
    -p|--parameters) parameters="${2:?$1 needs a value}"; shift 2 ;;
    -n|--name) deployment="${2:?$1 needs a value}"; shift 2 ;;
    --skip-code) skip_code=true; shift ;;
    --what-if) what_if=true; shift ;;
    --preview) preview=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "deploy.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$resource_group" ]; then
  echo "deploy.sh: --resource-group is required (see --help)" >&2
  exit 2
fi
if [ ! -f "$parameters" ]; then
  echo "deploy.sh: no parameters file at $parameters" >&2
  exit 2
fi

# Runs a command, or with --what-if prints it (shell-quoted, so it can be pasted) and runs nothing.
run() {
  if "$what_if"; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

publish_dir=$(mktemp -d "${TMPDIR:-/tmp}/kdumpcloud-deploy.XXXXXX")
trap 'rm -rf "$publish_dir"' EXIT

run az group create --name "$resource_group" --location "$location" --output none

if "$preview"; then
  run az deployment group what-if --resource-group "$resource_group" --name "$deployment" --parameters "$parameters"
  exit 0
fi

# Incremental mode: resources the template does not name are left alone; the same template again changes nothing.
run az deployment group create --resource-group "$resource_group" --name "$deployment" \
  --parameters "$parameters" --output none

if "$skip_code"; then
  exit 0
fi

output() {
  az deployment group show --resource-group "$resource_group" --name "$deployment" \
    --query "properties.outputs.$1.value" --output tsv
}

# Publishes project $1 into folder $2 and zips it to $2.zip.
package() {
  run dotnet publish "$1" --configuration Release --output "$2"
  if "$what_if"; then
    echo "+ (cd $2 && zip -qr $2.zip .)"
  else
    (cd "$2" && zip -qr "$2.zip" .)
  fi
}

if "$what_if"; then
  app='<functionAppName output of the deployment>'
  dashboard='<dashboardAppName output of the deployment, when it has a dashboard>'
else
  app=$(output functionAppName)
  dashboard=$(output dashboardAppName)
fi

package "$repo/functions/KDumpCloud.Functions" "$publish_dir/functions"
# Flex Consumption: the package goes to the app's deployment container through the platform, authenticated with the
# signed-in Entra user (basic publishing credentials are off).
run az functionapp deployment source config-zip --resource-group "$resource_group" --name "$app" --src "$publish_dir/functions.zip"

if [ -n "$dashboard" ]; then
  package "$repo/src/KDumpCloud.Dashboard.Web" "$publish_dir/dashboard"
  run az webapp deploy --resource-group "$resource_group" --name "$dashboard" --src-path "$publish_dir/dashboard.zip" --type zip
fi

if ! "$what_if"; then
  echo "Deployed. Relay settings: az deployment group show -g $resource_group -n $deployment --query properties.outputs"
fi
