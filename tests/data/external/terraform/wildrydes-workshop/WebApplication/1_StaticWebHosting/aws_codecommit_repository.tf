resource "aws_codecommit_repository" "this" {
  repository_name = "wildrydes-site"
}
