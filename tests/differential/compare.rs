//! Comparing two answers: keys sorted at every level, the read path marker left out, and a
//! line diff of the pretty-printed forms when they differ.

use serde_json::{Map, Value};

/// `extensions.readPath` of an answer, if it has one.
pub fn read_path(body: &Value) -> Option<&str> {
    body.get("extensions")?.get("readPath")?.as_str()
}

/// The answer with keys sorted recursively, without `extensions.readPath` (the one thing the
/// two paths answer differently) and without `extensions.requestId` of internal errors (unique
/// per request; internal errors are counted separately), errors in a fixed order.
pub fn normalized(body: &Value) -> Value {
    let mut body = sorted(body);
    if let Some(extensions) = body.get_mut("extensions").and_then(Value::as_object_mut) {
        extensions.remove("readPath");
        if extensions.is_empty() {
            body.as_object_mut().map(|b| b.remove("extensions"));
        }
    }
    if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors.iter_mut() {
            if let Some(extensions) = error.get_mut("extensions").and_then(Value::as_object_mut) {
                extensions.remove("requestId");
            }
        }
        // The resolvers list errors in the order their futures fail, which varies from run to
        // run when several fields fail at once (seen: the same page error under every edge).
        errors.sort_by_cached_key(|error| {
            serde_json::to_string(&[&error["path"], &error["message"], &error["locations"]])
                .unwrap_or_default()
        });
    }
    body
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                out.insert(key.clone(), sorted(&fields[key]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The codes of an answer's errors.
pub fn error_codes(body: &Value) -> Vec<String> {
    body.get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|error| {
                    error["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<no code>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A unified-style diff of two pretty-printed JSON values: the differing lines with a few
/// lines of context, `-` for the resolvers' side and `+` for the compiled side.
pub fn diff(resolvers: &Value, compiled: &Value) -> String {
    let left = serde_json::to_string_pretty(resolvers).unwrap_or_default();
    let right = serde_json::to_string_pretty(compiled).unwrap_or_default();
    let left: Vec<&str> = left.lines().collect();
    let right: Vec<&str> = right.lines().collect();
    // Longest common subsequence table, from the ends.
    let (n, m) = (left.len(), right.len());
    if n * m > 4_000_000 {
        return format!("(answers too long to diff)\n- {resolvers}\n+ {compiled}\n");
    }
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if left[i] == right[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && left[i] == right[j] {
            lines.push((' ', left[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            lines.push(('+', right[j]));
            j += 1;
        } else {
            lines.push(('-', left[i]));
            i += 1;
        }
    }
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = (0..lines.len()).filter(|k| lines[*k].0 != ' ').collect();
    let mut out = String::new();
    let mut last_shown: Option<usize> = None;
    for (k, (mark, line)) in lines.iter().enumerate() {
        let near = changed
            .iter()
            .any(|c| k + CONTEXT >= *c && k <= c + CONTEXT);
        if !near {
            continue;
        }
        if last_shown.is_some_and(|last| last + 1 != k) {
            out.push_str("  ...\n");
        }
        out.push_str(&format!("{mark} {line}\n"));
        last_shown = Some(k);
    }
    out
}
