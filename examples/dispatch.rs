//! Dispatches the reference agent: builds a typed input, renders the prompt, parses a reply.
//!
//! Run with `cargo run --example dispatch`.

#[agentbind::agent("examples/agents/backend-engineer-golang.md")]
pub mod golang {}

fn main() -> Result<(), agentbind::ReplyError> {
    let input = golang::Input::from(golang::RequiredInput {
        task_description: "Add /health endpoint".into(),
        requirements: "Must return 200 with build info".into(),
    })
    .with_existing_code("func main() {\n\thttp.ListenAndServe(\":8080\", nil)\n}\n")
    .with_acceptance_criteria(vec!["returns JSON".to_string(), "no auth required".to_string()]);
    let dispatch = golang::Agent::dispatch(input).in_context(golang::InvocationContext::DevRefactor);

    println!(
        "== agent {} (model {}, version {})",
        golang::Agent::NAME,
        golang::Agent::MODEL,
        golang::Agent::VERSION.unwrap_or("-")
    );
    println!("== system prompt: {} bytes", golang::Agent::SYSTEM_PROMPT.len());
    println!("== prompt\n{}", dispatch.prompt());

    // A reply that forgets the sections this context requires is refused, naming all of them.
    let incomplete = "## Summary\nAdded the endpoint.\n";
    match dispatch.parse_reply(incomplete) {
        Ok(_) => println!("== unexpected: incomplete reply accepted"),
        Err(error) => println!("== incomplete reply refused:\n{error}\n"),
    }

    let reply = "\
## Summary
Added `GET /health` returning build info.

## Implementation
A new handler in `internal/http/health.go`:

```go
// ## Testing  <- inside a code fence: not a section
func Health(w http.ResponseWriter, r *http.Request) {}
```

## Files Changed
- internal/http/health.go

## Testing
`go test ./...` passes.

## Next Steps
Wire the handler into the router.

## Standards Compliance
Fully Compliant.
";
    let output: golang::Output = dispatch.parse_reply(reply)?;
    println!("== parsed reply");
    println!("summary: {}", output.summary);
    println!("implementation:\n{}", output.implementation);
    println!("standards compliance: {:?}", output.standards_compliance.as_ref().map(|s| s.body.as_str()));
    println!("blockers: {:?}", output.blockers);
    Ok(())
}
