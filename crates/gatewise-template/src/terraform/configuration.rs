//! A Terraform configuration evaluated the way `terraform plan` would see it, without the
//! cloud: variables from the command line, the environment and `.tfvars` files; `locals`,
//! resources, data sources and local modules in dependency order; `count` and `for_each`
//! expanded into instances. Values only AWS knows (ids, ARNs) are synthesised from each
//! resource's address ([`super::computed`]), which is all a reader needs: identity, not the
//! value.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gatewise_model::{Diagnostic, SourceLocation};
use hcl::Value;
use hcl::edit::expr::Expression as EditExpression;
use hcl::edit::structure::{Block, Body};
use hcl::eval::Context;
use indexmap::IndexMap;

use super::computed::{self, Ids};
use super::expression::{self, Reference};
use super::functions;
use super::resource_types::Mode;
use super::source::{self, Declared, SourceFile};
use crate::function::code::tidy;
use crate::{LoadError, LoadOptions};

/// One resource or data-source instance with its evaluated arguments.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Terraform's address: `aws_lambda_function.hello`, `module.api.aws_api_gateway_method.options["users"]`.
    pub address: String,
    pub kind: String,
    pub mode: Mode,
    pub location: SourceLocation,
    pub body: EvaluatedBody,
    /// The values only AWS knows, synthesised (`id`, `arn`, `invoke_arn`…).
    pub computed: hcl::Map<String, Value>,
}

/// The arguments and nested blocks of a block, each with where it was written.
#[derive(Debug, Clone, Default)]
pub struct EvaluatedBody {
    pub arguments: IndexMap<String, Argument>,
    pub blocks: Vec<NestedBlock>,
}

/// One argument: its value, or why it could not be evaluated (reported only if read).
#[derive(Debug, Clone)]
pub struct Argument {
    pub value: Result<Value, String>,
    pub location: SourceLocation,
}

#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub kind: String,
    pub location: SourceLocation,
    pub body: EvaluatedBody,
}

impl EvaluatedBody {
    pub fn block(&self, kind: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.kind == kind)
    }

    /// The body as an object value (arguments that failed become placeholders naming why).
    fn to_value(&self) -> hcl::Map<String, Value> {
        let mut out = hcl::Map::new();
        for (name, argument) in &self.arguments {
            let value = match &argument.value {
                Ok(v) => v.clone(),
                Err(_) => Value::String(format!("<unresolved {name}>")),
            };
            out.insert(name.clone(), value);
        }
        let mut grouped: IndexMap<&str, Vec<Value>> = IndexMap::new();
        for block in &self.blocks {
            grouped
                .entry(&block.kind)
                .or_default()
                .push(Value::Object(block.body.to_value()));
        }
        for (kind, values) in grouped {
            out.insert(kind.to_owned(), Value::Array(values));
        }
        out
    }
}

/// The evaluated configuration: every instance in declaration order, and warnings.
pub struct Configuration {
    pub root_dir: PathBuf,
    /// The root folder as the user named it (for messages).
    pub shown_root: PathBuf,
    pub instances: Vec<Instance>,
    pub warnings: Vec<Diagnostic>,
}

/// Meta-arguments of resource blocks, which configure Terraform rather than the resource.
const META_ARGUMENTS: &[&str] = &["count", "for_each", "depends_on", "provider"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

/// Evaluates the root module in `dir`; `shown_dir` is how locations name that folder.
pub fn evaluate(
    dir: &Path,
    shown_dir: &Path,
    options: &LoadOptions,
) -> Result<Configuration, LoadError> {
    let root_dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    functions::with_working_dir(&root_dir, || {
        let mut state = State {
            root_dir: root_dir.clone(),
            shown_root: shown_dir.to_path_buf(),
            instances: Vec::new(),
            warnings: Vec::new(),
            ids: Ids::default(),
            module_depth: 0,
        };
        let start = SourceLocation::new(Arc::from(shown_dir), 1, 1);
        let module = state.read_module(&root_dir, shown_dir, &start)?;
        let inputs = super::variables::root_values(
            &module.variables,
            &root_dir,
            shown_dir,
            options,
            &mut state.warnings,
        )?;
        state.evaluate_module(&module, "", ".", inputs)?;
        Ok(Configuration {
            root_dir: root_dir.clone(),
            shown_root: shown_dir.to_path_buf(),
            instances: state.instances,
            warnings: state.warnings,
        })
    })
}

/// A module folder's declarations.
pub struct Module {
    pub dir: PathBuf,
    pub files: Vec<SourceFile>,
    /// `variable` blocks: name → (file index, block).
    pub variables: IndexMap<String, Declared>,
    items: IndexMap<String, Item>,
    outputs: Vec<Declared>,
}

/// Something with a value others can refer to.
enum Item {
    Local {
        file: usize,
        expr: EditExpression,
        location: SourceLocation,
    },
    Resource {
        mode: Mode,
        kind: String,
        name: String,
        declared: Declared,
    },
    Module {
        name: String,
        declared: Declared,
    },
}

struct State {
    root_dir: PathBuf,
    shown_root: PathBuf,
    instances: Vec<Instance>,
    warnings: Vec<Diagnostic>,
    ids: Ids,
    module_depth: usize,
}

/// Nested local modules deeper than this are a loop (`source = "./"`), not a configuration.
const MAX_MODULE_DEPTH: usize = 32;

impl State {
    fn warn(&mut self, location: SourceLocation, message: String) {
        self.warnings.push(Diagnostic { location, message });
    }

    fn read_module(
        &mut self,
        dir: &Path,
        shown: &Path,
        at: &SourceLocation,
    ) -> Result<Module, LoadError> {
        let mut module = Module {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            variables: IndexMap::new(),
            items: IndexMap::new(),
            outputs: Vec::new(),
        };
        for path in source::module_files(dir, at)? {
            let name = path.file_name().map(PathBuf::from).unwrap_or_default();
            let shown_path: Arc<Path> = Arc::from(tidy(&shown.join(name)).as_path());
            module.files.push(SourceFile::read(&path, &shown_path)?);
        }
        for index in 0..module.files.len() {
            let blocks: Vec<Block> = module.files[index].body.blocks().cloned().collect();
            for block in blocks {
                self.declare(&mut module, index, block)?;
            }
        }
        Ok(module)
    }

    fn declare(&mut self, module: &mut Module, file: usize, block: Block) -> Result<(), LoadError> {
        let source = &module.files[file];
        let location = source.location(&block);
        let labels: Vec<String> = block.labels.iter().map(|l| l.as_str().to_owned()).collect();
        let duplicate = |what: String, previous: &SourceLocation| {
            LoadError::new(
                location.clone(),
                format!(
                    "{what} is declared twice (first at {previous}); Terraform refuses this — rename or remove one"
                ),
            )
        };
        match (block.ident.as_str(), labels.as_slice()) {
            ("variable", [name]) => {
                if let Some(previous) = module.variables.get(name) {
                    return Err(duplicate(
                        format!("variable \"{name}\""),
                        &previous.location,
                    ));
                }
                module.variables.insert(
                    name.clone(),
                    Declared {
                        file,
                        block,
                        location,
                    },
                );
            }
            ("locals", []) => {
                for attribute in block.body.attributes() {
                    let key = format!("local.{}", attribute.key.as_str());
                    let at = source.location(attribute);
                    if let Some(previous) = module.items.get(&key) {
                        return Err(duplicate(key, item_location(previous)));
                    }
                    module.items.insert(
                        key,
                        Item::Local {
                            file,
                            expr: attribute.value.clone(),
                            location: at,
                        },
                    );
                }
            }
            (kind @ ("resource" | "data"), [resource_type, name]) => {
                let mode = if kind == "resource" {
                    Mode::Managed
                } else {
                    Mode::Data
                };
                let key = match mode {
                    Mode::Managed => format!("{resource_type}.{name}"),
                    Mode::Data => format!("data.{resource_type}.{name}"),
                };
                if let Some(previous) = module.items.get(&key) {
                    return Err(duplicate(key, item_location(previous)));
                }
                module.items.insert(
                    key,
                    Item::Resource {
                        mode,
                        kind: resource_type.clone(),
                        name: name.clone(),
                        declared: Declared {
                            file,
                            block,
                            location,
                        },
                    },
                );
            }
            ("module", [name]) => {
                let key = format!("module.{name}");
                if let Some(previous) = module.items.get(&key) {
                    return Err(duplicate(key, item_location(previous)));
                }
                module.items.insert(
                    key,
                    Item::Module {
                        name: name.clone(),
                        declared: Declared {
                            file,
                            block,
                            location,
                        },
                    },
                );
            }
            ("output", [_]) => module.outputs.push(Declared {
                file,
                block,
                location,
            }),
            ("terraform" | "provider" | "moved" | "import" | "check" | "removed", _) => {}
            (other, _) => {
                self.warn(
                    location,
                    format!("`{other}` block ignored: it is not a Terraform block gatewise knows"),
                );
            }
        }
        Ok(())
    }

    /// Evaluates every item of `module` in dependency order and returns its outputs.
    fn evaluate_module(
        &mut self,
        module: &Module,
        prefix: &str,
        path_module: &str,
        inputs: IndexMap<String, Value>,
    ) -> Result<Value, LoadError> {
        let mut ctx = Context::new();
        functions::declare(&mut ctx);
        ctx.declare_var("var", Value::Object(inputs.into_iter().collect()));
        ctx.declare_var(
            "path",
            hcl::value!({
                module = (path_module),
                root = ".",
                cwd = (self.root_dir.to_string_lossy().into_owned())
            }),
        );
        ctx.declare_var("terraform", hcl::value!({ workspace = "default" }));

        // References of every item, and the attributes read of each (placeholders for
        // computed values the reader does not know are added for exactly those).
        let mut depends: IndexMap<&str, Vec<String>> = IndexMap::new();
        let mut attributes_read: HashMap<String, Vec<String>> = HashMap::new();
        for (key, item) in &module.items {
            let mut refs = expression::References::default();
            match item {
                Item::Local { expr, .. } => hcl::edit::visit::visit_expr(&mut refs, expr),
                Item::Resource { declared, .. } | Item::Module { declared, .. } => {
                    hcl::edit::visit::visit_body(&mut refs, &declared.block.body);
                }
            }
            self.report_unknown_functions(module, item_file(item), &refs);
            let mut deps = Vec::new();
            for Reference {
                key: target,
                attribute,
            } in refs.names
            {
                if module.items.contains_key(&target) && target != *key {
                    deps.push(target.clone());
                }
                if let Some(attribute) = attribute {
                    attributes_read.entry(target).or_default().push(attribute);
                }
            }
            depends.insert(key, deps);
        }
        for output in &module.outputs {
            let mut refs = expression::References::default();
            hcl::edit::visit::visit_body(&mut refs, &output.block.body);
            self.report_unknown_functions(module, output.file, &refs);
            for Reference { key, attribute } in refs.names {
                if let Some(attribute) = attribute {
                    attributes_read.entry(key).or_default().push(attribute);
                }
            }
        }

        // A module that is not on this machine is the first thing to say (before, say, a cycle
        // Terraform would resolve at a finer grain than whole modules).
        for item in module.items.values() {
            if let Item::Module { name, declared } = item {
                self.module_source(module, prefix, name, declared, &ctx)?;
            }
        }
        let order = evaluation_order(module, &depends)?;
        let mut locals = hcl::Map::new();
        let mut data: hcl::Map<String, Value> = hcl::Map::new();
        let mut modules = hcl::Map::new();
        let mut resources: hcl::Map<String, Value> = hcl::Map::new();
        for key in order {
            let item = &module.items[key];
            match item {
                Item::Local { expr, location, .. } => {
                    let value = expression::evaluate(expr, &ctx)
                        .map_err(|e| LoadError::new(location.clone(), format!("{key}: {e}")))?;
                    locals.insert(key.trim_start_matches("local.").to_owned(), value);
                    ctx.declare_var("local", Value::Object(locals.clone()));
                }
                Item::Resource {
                    mode,
                    kind,
                    name,
                    declared,
                } => {
                    let read = attributes_read
                        .get(key)
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let value = self.evaluate_resource(
                        module, prefix, *mode, kind, name, declared, read, &mut ctx,
                    )?;
                    match mode {
                        Mode::Managed => {
                            let mut of_type = match resources.shift_remove(kind) {
                                Some(Value::Object(m)) => m,
                                _ => hcl::Map::new(),
                            };
                            of_type.insert(name.clone(), value);
                            let of_type = Value::Object(of_type);
                            ctx.declare_var(kind.as_str(), of_type.clone());
                            resources.insert(kind.clone(), of_type);
                        }
                        Mode::Data => {
                            let entry = data
                                .entry(kind.clone())
                                .or_insert_with(|| Value::Object(hcl::Map::new()));
                            if let Value::Object(m) = entry {
                                m.insert(name.clone(), value);
                            }
                            ctx.declare_var("data", Value::Object(data.clone()));
                        }
                    }
                }
                Item::Module { name, declared } => {
                    let outputs =
                        self.evaluate_module_call(module, prefix, name, declared, &mut ctx)?;
                    modules.insert(name.clone(), outputs);
                    ctx.declare_var("module", Value::Object(modules.clone()));
                }
            }
        }

        let mut outputs = hcl::Map::new();
        for output in &module.outputs {
            let name = output.block.labels[0].as_str().to_owned();
            let Some(attribute) = output.block.body.get_attribute("value") else {
                continue;
            };
            let value = expression::evaluate(&attribute.value, &ctx)
                .unwrap_or_else(|e| Value::String(format!("<unresolved output {name}: {e}>")));
            outputs.insert(name, value);
        }
        Ok(Value::Object(outputs))
    }

    fn report_unknown_functions(
        &mut self,
        module: &Module,
        file: usize,
        refs: &expression::References,
    ) {
        for (name, span) in &refs.unknown_functions {
            let location = module.files[file].location_of_span(span.clone());
            if self.warnings.iter().any(|w| w.location == location) {
                continue;
            }
            self.warn(
                location,
                format!(
                    "Terraform function `{name}` is not available in gatewise; its calls give the placeholder \"{}\" — compute the value another way if the API needs it",
                    expression::unknown_call_placeholder(name)
                ),
            );
        }
    }

    /// Evaluates every instance of a `resource` / `data` block and returns the value others see
    /// (one object; a list for `count`; a map for `for_each`).
    #[allow(clippy::too_many_arguments)]
    fn evaluate_resource(
        &mut self,
        module: &Module,
        prefix: &str,
        mode: Mode,
        kind: &str,
        name: &str,
        declared: &Declared,
        read: &[String],
        ctx: &mut Context<'_>,
    ) -> Result<Value, LoadError> {
        let file = &module.files[declared.file];
        let base = match mode {
            Mode::Managed => format!("{prefix}{kind}.{name}"),
            Mode::Data => format!("{prefix}data.{kind}.{name}"),
        };
        let repetition = match repetition(&declared.block.body, file, ctx, &base) {
            Ok(r) => r,
            // A resource gatewise does not read cannot stop the API from loading: Terraform
            // knows its count after apply; here it has no instances.
            Err(e) if mode == Mode::Data || !super::resource_types::is_part_of_the_api(kind) => {
                self.warn(
                    e.location.clone(),
                    format!(
                        "{}; {base} is not served, so gatewise goes on without it",
                        e.message
                    ),
                );
                Repetition::none()
            }
            Err(e) => return Err(e),
        };
        let mut values = Vec::new();
        for instance in &repetition.instances {
            instance.declare(ctx);
            let body = evaluate_body(&declared.block.body, file, ctx, true);
            let address = format!("{base}{}", instance.suffix());
            let mut value = body.to_value();
            let computed = computed::attributes(mode, kind, &address, &value, &mut self.ids);
            for (k, v) in &computed {
                value.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for attribute in read {
                value.entry(attribute.clone()).or_insert_with(|| {
                    Value::String(format!("<known after apply: {address}.{attribute}>"))
                });
            }
            self.instances.push(Instance {
                address,
                kind: kind.to_owned(),
                mode,
                location: declared.location.clone(),
                body,
                computed,
            });
            values.push((instance.key.clone(), Value::Object(value)));
        }
        Repetition::clear(ctx);
        Ok(repetition.collect(values))
    }

    /// Where the code of module call `name` is: a local folder, or one `terraform init`
    /// downloaded (an error saying to run it otherwise), and where its `source` is written.
    fn module_source(
        &self,
        module: &Module,
        prefix: &str,
        name: &str,
        declared: &Declared,
        ctx: &Context<'_>,
    ) -> Result<(PathBuf, PathBuf, SourceLocation), LoadError> {
        let file = &module.files[declared.file];
        let Some(source_attribute) = declared.block.body.get_attribute("source") else {
            return Err(LoadError::new(
                declared.location.clone(),
                format!(
                    "module \"{name}\" has no `source`; add one (e.g. source = \"./modules/{name}\")"
                ),
            ));
        };
        let source_at = file.location(source_attribute);
        let source = expression::evaluate(&source_attribute.value, ctx)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or_else(|| {
                LoadError::new(
                    source_at.clone(),
                    format!("module \"{name}\": `source` must be a literal string"),
                )
            })?;
        let key_path = format!("{}{name}", module_key_prefix(prefix));
        let (child_dir, child_shown) = if source.starts_with("./") || source.starts_with("../") {
            let relative = tidy(&module_relative(&module.dir, &self.root_dir).join(&source));
            (
                self.root_dir.join(&relative),
                self.shown_root.join(&relative),
            )
        } else {
            match installed_module(&self.root_dir, &key_path) {
                Some(dir) => (self.root_dir.join(&dir), self.shown_root.join(&dir)),
                None => {
                    return Err(LoadError::new(
                        source_at,
                        format!(
                            "module \"{name}\" comes from \"{source}\", which is not on this machine; run `terraform init` in {} so it is downloaded to .terraform/modules, then start gatewise again",
                            self.shown_root.display()
                        ),
                    ));
                }
            }
        };
        Ok((child_dir, child_shown, source_at))
    }

    fn evaluate_module_call(
        &mut self,
        module: &Module,
        prefix: &str,
        name: &str,
        declared: &Declared,
        ctx: &mut Context<'_>,
    ) -> Result<Value, LoadError> {
        let file = &module.files[declared.file];
        let (child_dir, child_shown, source_at) =
            self.module_source(module, prefix, name, declared, ctx)?;
        self.module_depth += 1;
        if self.module_depth > MAX_MODULE_DEPTH {
            return Err(LoadError::new(
                source_at,
                format!(
                    "module \"{name}\": modules nest more than {MAX_MODULE_DEPTH} deep; does a module include itself?"
                ),
            ));
        }
        let child = self.read_module(&child_dir, &child_shown, &source_at)?;
        let repetition = repetition(
            &declared.block.body,
            file,
            ctx,
            &format!("{prefix}module.{name}"),
        )?;
        let mut values = Vec::new();
        for instance in &repetition.instances {
            instance.declare(ctx);
            let mut inputs = IndexMap::new();
            for attribute in declared.block.body.attributes() {
                let key = attribute.key.as_str();
                if matches!(
                    key,
                    "source" | "version" | "count" | "for_each" | "depends_on" | "providers"
                ) {
                    continue;
                }
                if !child.variables.contains_key(key) {
                    self.warn(file.location(attribute), format!("module \"{name}\" has no variable \"{key}\"; Terraform refuses this argument"));
                    continue;
                }
                let value = expression::evaluate(&attribute.value, ctx).map_err(|e| {
                    LoadError::new(
                        file.location(attribute),
                        format!("module \"{name}\": {key}: {e}"),
                    )
                })?;
                inputs.insert(key.to_owned(), value);
            }
            let inputs = super::variables::module_values(
                &child.variables,
                inputs,
                name,
                &declared.location,
            )?;
            let child_prefix = format!("{prefix}module.{name}{}.", instance.suffix());
            let path_module = tidy(&module_relative(&child.dir, &self.root_dir))
                .to_string_lossy()
                .into_owned();
            let outputs = self.evaluate_module(&child, &child_prefix, &path_module, inputs)?;
            values.push((instance.key.clone(), outputs));
        }
        Repetition::clear(ctx);
        self.module_depth -= 1;
        Ok(repetition.collect(values))
    }
}

fn item_location(item: &Item) -> &SourceLocation {
    match item {
        Item::Local { location, .. } => location,
        Item::Resource { declared, .. } | Item::Module { declared, .. } => &declared.location,
    }
}

fn item_file(item: &Item) -> usize {
    match item {
        Item::Local { file, .. } => *file,
        Item::Resource { declared, .. } | Item::Module { declared, .. } => declared.file,
    }
}

/// Keys in an order where each comes after what it refers to (declaration order otherwise);
/// a cycle is an error naming it.
fn evaluation_order<'m>(
    module: &'m Module,
    depends: &IndexMap<&'m str, Vec<String>>,
) -> Result<Vec<&'m str>, LoadError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks: HashMap<&str, Mark> = depends.keys().map(|k| (*k, Mark::New)).collect();
    let mut order = Vec::new();
    for start in depends.keys() {
        if marks[start] != Mark::New {
            continue;
        }
        // Iterative depth-first search: (key, next dependency index).
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        marks.insert(start, Mark::Active);
        while let Some((key, next)) = stack.pop() {
            let deps = &depends[key];
            if next < deps.len() {
                stack.push((key, next + 1));
                let (dep, _) = depends
                    .get_key_value(deps[next].as_str())
                    .expect("known item");
                match marks[dep] {
                    Mark::New => {
                        marks.insert(dep, Mark::Active);
                        stack.push((dep, 0));
                    }
                    Mark::Active => {
                        let mut cycle: Vec<&str> = stack
                            .iter()
                            .map(|(k, _)| *k)
                            .skip_while(|k| k != dep)
                            .collect();
                        cycle.push(dep);
                        return Err(LoadError::new(
                            item_location(&module.items[*dep]).clone(),
                            format!(
                                "these refer to each other in a cycle: {}; Terraform refuses this — break the cycle",
                                cycle.join(" → ")
                            ),
                        ));
                    }
                    Mark::Done => {}
                }
            } else {
                marks.insert(key, Mark::Done);
                order.push(key);
            }
        }
    }
    Ok(order)
}

/// Evaluates a block body's arguments and nested blocks (`dynamic` blocks expanded);
/// `resource_level` skips the meta-arguments.
pub fn evaluate_body(
    body: &Body,
    file: &SourceFile,
    ctx: &mut Context<'_>,
    resource_level: bool,
) -> EvaluatedBody {
    let mut out = EvaluatedBody::default();
    for attribute in body.attributes() {
        let key = attribute.key.as_str();
        if resource_level && META_ARGUMENTS.contains(&key) {
            continue;
        }
        out.arguments.insert(
            key.to_owned(),
            Argument {
                value: expression::evaluate(&attribute.value, ctx),
                location: file.location(attribute),
            },
        );
    }
    for block in body.blocks() {
        let kind = block.ident.as_str();
        if resource_level && META_BLOCKS.contains(&kind) {
            continue;
        }
        if kind == "dynamic" {
            out.blocks.extend(dynamic_blocks(block, file, ctx));
            continue;
        }
        out.blocks.push(NestedBlock {
            kind: kind.to_owned(),
            location: file.location(block),
            body: evaluate_body(&block.body, file, ctx, false),
        });
    }
    out
}

/// `dynamic "x" { for_each = …; iterator = it; content { … } }` → one `x` block per element.
fn dynamic_blocks(block: &Block, file: &SourceFile, ctx: &mut Context<'_>) -> Vec<NestedBlock> {
    let Some(label) = block.labels.first().map(|l| l.as_str().to_owned()) else {
        return Vec::new();
    };
    let iterator = block
        .body
        .get_attribute("iterator")
        .and_then(|a| match &a.value {
            EditExpression::Variable(v) => Some(v.as_str().to_owned()),
            _ => None,
        })
        .unwrap_or_else(|| label.clone());
    let Some(content) = block.body.get_blocks("content").next() else {
        return Vec::new();
    };
    let collection = block
        .body
        .get_attribute("for_each")
        .and_then(|a| expression::evaluate(&a.value, ctx).ok())
        .unwrap_or(Value::Null);
    let elements: Vec<(Value, Value)> = match collection {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i as u64), v))
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (key, value) in elements {
        ctx.declare_var(
            iterator.as_str(),
            hcl::value!({ key = (key), value = (value) }),
        );
        out.push(NestedBlock {
            kind: label.clone(),
            location: file.location(content),
            body: evaluate_body(&content.body, file, ctx, false),
        });
    }
    ctx.declare_var(iterator.as_str(), Value::Null);
    out
}

/// How many instances a block has: one, `count` of them, or one per `for_each` element.
struct Repetition {
    kind: RepetitionKind,
    instances: Vec<InstanceKey>,
}

#[derive(Clone, Copy)]
enum RepetitionKind {
    Single,
    Count,
    ForEach,
}

struct InstanceKey {
    key: Value,
    each_value: Value,
    kind: RepetitionKind,
}

impl InstanceKey {
    fn suffix(&self) -> String {
        match (self.kind, &self.key) {
            (RepetitionKind::Single, _) => String::new(),
            (_, Value::String(s)) => format!("[{}]", serde_json::Value::String(s.clone())),
            (_, other) => format!("[{}]", functions::to_string(other).unwrap_or_default()),
        }
    }

    fn declare(&self, ctx: &mut Context<'_>) {
        match self.kind {
            RepetitionKind::Single => {}
            RepetitionKind::Count => {
                ctx.declare_var("count", hcl::value!({ index = (self.key.clone()) }))
            }
            RepetitionKind::ForEach => ctx.declare_var(
                "each",
                hcl::value!({ key = (self.key.clone()), value = (self.each_value.clone()) }),
            ),
        }
    }
}

impl Repetition {
    /// No instances (of a `for_each` whose collection is not known here).
    fn none() -> Self {
        Self {
            kind: RepetitionKind::ForEach,
            instances: Vec::new(),
        }
    }

    fn clear(ctx: &mut Context<'_>) {
        ctx.declare_var("count", Value::Null);
        ctx.declare_var("each", Value::Null);
    }

    fn collect(&self, values: Vec<(Value, Value)>) -> Value {
        match self.kind {
            RepetitionKind::Single => values
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or(Value::Null),
            RepetitionKind::Count => Value::Array(values.into_iter().map(|(_, v)| v).collect()),
            RepetitionKind::ForEach => Value::Object(
                values
                    .into_iter()
                    .map(|(k, v)| (functions::to_string(&k).unwrap_or_default(), v))
                    .collect(),
            ),
        }
    }
}

fn repetition(
    body: &Body,
    file: &SourceFile,
    ctx: &Context<'_>,
    address: &str,
) -> Result<Repetition, LoadError> {
    if let Some(count) = body.get_attribute("count") {
        let at = file.location(count);
        let value = expression::evaluate(&count.value, ctx)
            .map_err(|e| LoadError::new(at.clone(), format!("{address}: count: {e}")))?;
        let n = match &value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            Value::Bool(b) => Some(u64::from(*b)),
            _ => None,
        }
        .filter(|n| *n <= 10_000)
        .ok_or_else(|| {
            LoadError::new(
                at,
                format!("{address}: count must be a whole number from 0 to 10000, found {value}"),
            )
        })?;
        return Ok(Repetition {
            kind: RepetitionKind::Count,
            instances: (0..n)
                .map(|i| InstanceKey {
                    key: Value::from(i),
                    each_value: Value::Null,
                    kind: RepetitionKind::Count,
                })
                .collect(),
        });
    }
    if let Some(for_each) = body.get_attribute("for_each") {
        let at = file.location(for_each);
        let value = expression::evaluate(&for_each.value, ctx)
            .map_err(|e| LoadError::new(at.clone(), format!("{address}: for_each: {e}")))?;
        let pairs: Vec<(Value, Value)> = match value {
            Value::Object(map) => map
                .into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
            Value::Array(items) => {
                let mut pairs = Vec::new();
                for item in items {
                    let Some(key) = item.as_str() else {
                        return Err(LoadError::new(
                            at,
                            format!(
                                "{address}: for_each over a set needs strings (use toset([...]) of strings, or a map)"
                            ),
                        ));
                    };
                    pairs.push((Value::String(key.to_owned()), item.clone()));
                }
                pairs
            }
            Value::Null => Vec::new(),
            other => {
                return Err(LoadError::new(
                    at,
                    format!("{address}: for_each must be a map or a set of strings, found {other}"),
                ));
            }
        };
        return Ok(Repetition {
            kind: RepetitionKind::ForEach,
            instances: pairs
                .into_iter()
                .map(|(key, each_value)| InstanceKey {
                    key,
                    each_value,
                    kind: RepetitionKind::ForEach,
                })
                .collect(),
        });
    }
    Ok(Repetition {
        kind: RepetitionKind::Single,
        instances: vec![InstanceKey {
            key: Value::Null,
            each_value: Value::Null,
            kind: RepetitionKind::Single,
        }],
    })
}

/// `module.a.module.b.` → `a.b.` (the key format of `.terraform/modules/modules.json`).
fn module_key_prefix(prefix: &str) -> String {
    prefix
        .split('.')
        .filter(|p| !p.is_empty() && *p != "module")
        .map(|p| format!("{}.", p.split('[').next().unwrap_or(p)))
        .collect()
}

/// Where `terraform init` put a registry or remote module: `.terraform/modules/modules.json`
/// maps each module key to its folder.
fn installed_module(root: &Path, key: &str) -> Option<PathBuf> {
    let manifest = root.join(".terraform/modules/modules.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("Modules")?
        .as_array()?
        .iter()
        .find(|m| m.get("Key").and_then(serde_json::Value::as_str) == Some(key))
        .and_then(|m| m.get("Dir")?.as_str())
        .map(PathBuf::from)
}

fn module_relative(dir: &Path, root: &Path) -> PathBuf {
    dir.strip_prefix(root)
        .map_or_else(|_| dir.to_path_buf(), Path::to_path_buf)
}
