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