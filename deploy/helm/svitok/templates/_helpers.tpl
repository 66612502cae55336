{{- define "svitok.name" -}}svitok{{- end }}

{{- define "svitok.fullname" -}}
{{- printf "%s-svitok" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "svitok.labels" -}}
app.kubernetes.io/name: svitok
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "svitok.selector" -}}
app.kubernetes.io/name: svitok
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "svitok.secretName" -}}
{{- if .Values.existingSecret }}{{ .Values.existingSecret }}{{ else }}{{ include "svitok.fullname" . }}{{ end -}}
{{- end }}

{{/* The proxy's body limit in nginx's units: SVITOK_MAX_UPLOAD and a MiB for the form. */}}
{{- define "svitok.bodySize" -}}
{{- $s := .Values.config.SVITOK_MAX_UPLOAD | default "512MiB" | toString -}}
{{- if hasSuffix "GiB" $s -}}
{{- add (mul (atoi (trimSuffix "GiB" $s)) 1024) 1 }}m
{{- else if hasSuffix "MiB" $s -}}
{{- add (atoi (trimSuffix "MiB" $s)) 1 }}m
{{- else if hasSuffix "KiB" $s -}}
{{- add (div (atoi (trimSuffix "KiB" $s)) 1024) 2 }}m
{{- else -}}
{{- add (div (atoi $s) 1048576) 2 }}m
{{- end -}}
{{- end }}
