// Service Bus Standard: the crash-reports topic with duplicate detection (the Function sets MessageId from the
// occurrence, so redelivered work is absorbed), local SAS authentication off, and an example subscription that
// takes only new crashes and regressions through a SQL filter on the report's application properties
// (isNew, isRegression: src/KDumpCloud.Ingest/Azure/ReportMessages.cs).

@description('Namespace name (6-50 letters, digits and hyphens, globally unique).')
@minLength(6)
@maxLength(50)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('The topic crash reports are sent to (Ingest:Azure:ReportTopic).')
param topicName string

@description('How long a MessageId is remembered: longer than any redelivery of one ingest message (5 attempts, 30 s visibility, plus host restarts).')
param duplicateDetectionWindow string

@description('Object id of the Function App\'s identity.')
param functionPrincipalId string

@description('Resource id of the Function App\'s identity (stable role-assignment names).')
param functionIdentityId string

var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: 'P14D'
  }
}

resource newCrashes 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = {
  parent: topic
  name: 'new-and-regressions'
  properties: {
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
}

// Replaces the catch-all $Default rule a new subscription starts with.
resource newCrashesDefault 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2026-01-01' = {
  parent: newCrashes
  name: '$Default'
  properties: {
    filterType: 'SqlFilter'
    sqlFilter: {
      sqlExpression: 'isNew = TRUE OR isRegression = TRUE'
    }
  }
}

// Function: Azure Service Bus Data Sender on the topic — ServiceBusReportPublisher only sends reports.
resource functionSendsReports 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, functionIdentityId, serviceBusDataSender)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/; the client wants the host name alone.
@description('Namespace host name (ServiceBus__fullyQualifiedNamespace).')
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]
