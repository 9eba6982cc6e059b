variable "provider_arns" {
  type = list(any)
}
variable "invoke_arn" {}
