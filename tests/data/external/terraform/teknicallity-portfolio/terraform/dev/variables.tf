# variable "aws_access_key_id" {
#   type = string
# }
# variable "aws_secret_access_key" {
#   type = string
# }
variable "cloudflare_api_token" {
  type = string
}
variable "zone_id" {
  type = string
}
variable "account_id" {
  type = string
}
variable "subdomain" {
  type = string
}
variable "domain" {
  type = string
}