//! Partial updates: an omitted field is kept, an explicit `null` clears it.

/// The change an update makes to one nullable field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Field omitted: leave it as it is.
    #[default]
    Keep,
    /// Explicit `null`: clear it.
    Clear,
    /// A new value.
    Set(T),
}

impl<T> Patch<T> {
    /// The field's value after the patch.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Keep => current,
            Patch::Clear => None,
            Patch::Set(value) => Some(value),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(value) => Patch::Set(f(value)),
        }
    }

    /// Validates or converts a new value; `Keep` and `Clear` pass through.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Patch<U>, E> {
        Ok(match self {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(value) => Patch::Set(f(value)?),
        })
    }

    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_clear_and_set() {
        assert_eq!(Patch::Keep.apply(Some(1)), Some(1));
        assert_eq!(Patch::<i32>::Clear.apply(Some(1)), None);
        assert_eq!(Patch::Set(2).apply(None), Some(2));
    }
}
