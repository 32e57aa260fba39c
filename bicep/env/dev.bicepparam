// A developer's throwaway environment: the smallest settings, dumps kept a week, no relay and no webhook.
using '../main.bicep'

param environmentName = 'dev'
param location = 'westeurope'
param baseName = 'kdcdev'
param dataStorageSku = 'Standard_LRS'
param dumpRetentionDays = 7
param logRetentionDays = 30
param functionMaximumInstanceCount = 5
param functionInstanceMemoryMB = 2048
param relayPrincipalId = ''
param alertWebhookKind = ''
param alertWebhookUrl = ''
param duplicateDetectionWindow = 'PT1H'
param dashboardSignInClientId = ''
param dashboardSku = 'B1'
