function noop() {
  // This is an empty database action script set by Terraform
}
