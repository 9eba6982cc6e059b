output "id" {
  value = aws_api_gateway_resource.resource.id
}
