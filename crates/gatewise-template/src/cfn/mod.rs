//! Raw CloudFormation resources — what `cdk synth` and hand-written templates declare instead of
//! SAM's: `AWS::Lambda::Function` ([`lambda`]), REST APIs from `AWS::ApiGateway::*`
//! ([`apigateway`]) and HTTP APIs from `AWS::ApiGatewayV2::*` ([`apigatewayv2`]).

pub mod apigateway;
pub mod apigatewayv2;
pub mod lambda;
