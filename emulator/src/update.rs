//! The data update of `PATCH /user`: `$remove`, then `$append`, then a shallow merge.

use serde_json::{Map, Value};

/// What one update does to `data`. `$append`/`$remove` may come both from inside
/// `data` and from the top level of the body; each list is applied in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataPatch {
    /// `{field: item | [items]}` maps whose items are taken out of `data[field]`.
    pub remove: Vec<Map<String, Value>>,
    /// `{field: item | [items]}` maps whose items are added to `data[field]`.
    pub append: Vec<Map<String, Value>>,
    /// Keys set as given (nested objects replaced whole; keys never deleted).
    pub set: Map<String, Value>,
}

fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(list) => list.iter().collect(),
        one => vec![one],
    }
}

/// Applies `patch` to `data`.
pub fn apply(data: &mut Map<String, Value>, patch: &DataPatch) {
    for remove in &patch.remove {
        for (field, value) in remove {
            if let Some(Value::Array(list)) = data.get_mut(field) {
                let gone = items(value);
                list.retain(|x| !gone.contains(&x));
            }
        }
    }
    for append in &patch.append {
        for (field, value) in append {
            let slot = data.entry(field.clone()).or_insert(Value::Null);
            let list = match slot {
                Value::Array(list) => list,
                other => {
                    let existing = std::mem::take(other);
                    *other = Value::Array(if existing.is_null() {
                        Vec::new()
                    } else {
                        vec![existing]
                    });
                    match other {
                        Value::Array(list) => list,
                        _ => unreachable!("just made a list"),
                    }
                }
            };
            for item in items(value) {
                if !list.contains(item) {
                    list.push(item.clone());
                }
            }
        }
    }
    for (k, v) in &patch.set {
        data.insert(k.clone(), v.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn remove_then_append_then_merge() {
        let mut data = obj(json!({"f": ["a", "b"], "s": "x", "keep": 1}));
        apply(
            &mut data,
            &DataPatch {
                remove: vec![obj(json!({"f": "a", "missing": "z", "s": "x"}))],
                append: vec![obj(json!({"f": ["b", "c", "c"], "s": "y", "new": 5}))],
                set: obj(json!({"bio": "hi", "f2": null})),
            },
        );
        assert_eq!(
            Value::Object(data),
            json!({"f": ["b", "c"], "s": ["x", "y"], "new": [5], "keep": 1, "bio": "hi", "f2": null})
        );
    }

    #[test]
    fn remove_then_append_the_same_item_keeps_it() {
        let mut data = obj(json!({"f": ["a"]}));
        apply(
            &mut data,
            &DataPatch {
                remove: vec![obj(json!({"f": "a"}))],
                append: vec![obj(json!({"f": "a"}))],
                set: Map::new(),
            },
        );
        assert_eq!(Value::Object(data), json!({"f": ["a"]}));
    }
}
