// Log Analytics and workspace-based Application Insights with local (instrumentation-key) authentication off: the
// Function sends telemetry with its identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), nothing else can.

@description('Name prefix of the workspace and the component.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Days the workspace keeps logs (30 is included in the price).')
@minValue(30)
@maxValue(730)
param retentionDays int

@description('Object id of the Function App\'s identity, which publishes telemetry.')
param functionPrincipalId string

@description('Resource id of the same identity (known before deployment, so role-assignment names are stable).')
param functionIdentityId string

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: '${name}-logs'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-insights'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

// Function: Monitoring Metrics Publisher on the component — sends its telemetry with Entra authentication.
resource functionPublishes 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, functionIdentityId, monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Application Insights connection string (an ingestion endpoint and key that accepts nothing without Entra auth).')
output connectionString string = insights.properties.ConnectionString
