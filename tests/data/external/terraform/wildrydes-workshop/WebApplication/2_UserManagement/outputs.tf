output "arn" {
  value = aws_cognito_user_pool.this.arn
}
