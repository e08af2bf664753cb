#pragma once
// PersistentMap: an immutable ordered map whose updates return a new map
// sharing every untouched node with the old one (a path-copying AVL tree).
// Insert and Erase allocate at most O(log n) new nodes (one per level of
// the search path, plus rotations) and copy only the entries on that path;
// Find is O(log n); iteration is in key order. Written by hand because no
// Debian-packaged C++ library provides a persistent map (no immer); see
// docs/architecture.md, "Written by hand".
//
// Values are held by value in shared nodes, so V should be cheap to copy
// (the profile snapshot stores shared_ptr<const ProfileRecord>).
//
// Thread-safety: a PersistentMap is immutable; any number of threads may
// read one (and copies of it) concurrently. Nodes are reference-counted by
// std::shared_ptr, so the versions sharing a node may be destroyed on
// different threads. Public header of bp_storage.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace bp::storage {

template <class K, class V, class Compare = std::less<>>
class PersistentMap final {
  struct Node;
  using NodePtr = std::shared_ptr<const Node>;

 public:
  using Entry = std::pair<const K, V>;

  PersistentMap() = default;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The value under `key`, or nullptr. `key` may be anything Compare
  // compares with K (std::string_view for std::string keys).
  template <class Key>
  const V* Find(const Key& key) const {
    const Node* n = root_.get();
    while (n != nullptr) {
      if (compare_(key, n->entry.first)) {
        n = n->left.get();
      } else if (compare_(n->entry.first, key)) {
        n = n->right.get();
      } else {
        return &n->entry.second;
      }
    }
    return nullptr;
  }

  // A map with `key` set to `value` (inserted, or replacing the old value).
  PersistentMap Insert(K key, V value) const {
    bool inserted = false;
    NodePtr root = InsertAt(root_, Entry(std::move(key), std::move(value)), inserted);
    return PersistentMap(std::move(root), size_ + (inserted ? 1 : 0));
  }

  // A map without `key` (the same nodes when `key` is absent).
  template <class Key>
  PersistentMap Erase(const Key& key) const {
    bool erased = false;
    NodePtr root = EraseAt(root_, key, erased);
    if (!erased) return *this;
    return PersistentMap(std::move(root), size_ - 1);
  }

  // In-order iteration over `const Entry&` (structured bindings work:
  // `for (const auto& [k, v] : map)`). An iterator holds a stack of at most
  // height() node pointers and stays valid while the map it came from lives.
  class const_iterator {
   public:
    using value_type = Entry;
    using reference = const Entry&;
    using pointer = const Entry*;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;

    const_iterator() = default;
    reference operator*() const { return stack_.back()->entry; }
    pointer operator->() const { return &stack_.back()->entry; }
    const_iterator& operator++() {
      const Node* n = stack_.back();
      stack_.pop_back();
      PushLeftSpine(n->right.get());
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& other) const {
      if (stack_.empty() || other.stack_.empty()) return stack_.empty() == other.stack_.empty();
      return stack_.back() == other.stack_.back();
    }

   private:
    friend class PersistentMap;
    explicit const_iterator(const Node* root) { PushLeftSpine(root); }
    void PushLeftSpine(const Node* n) {
      for (; n != nullptr; n = n->left.get()) stack_.push_back(n);
    }
    std::vector<const Node*> stack_;
  };

  const_iterator begin() const { return const_iterator(root_.get()); }
  const_iterator end() const { return const_iterator(); }

  // Levels of the tree (0 when empty); at most ~1.44 log2(size + 2).
  int height() const { return Height(root_); }

  // Calls `visit(const void* node)` for every node, so tests can tell which
  // nodes two versions share. Checks the AVL and ordering invariants on the
  // way; returns false if one is broken.
  template <class Visit>
  bool VisitNodesForTest(Visit&& visit) const {
    size_t count = 0;
    return CheckAt(root_.get(), nullptr, nullptr, visit, count) >= 0 && count == size_;
  }

 private:
  struct Node {
    Node(Entry e, NodePtr l, NodePtr r)
        : entry(std::move(e)),
          left(std::move(l)),
          right(std::move(r)),
          height(1 + std::max(Height(left), Height(right))) {}
    Entry entry;
    NodePtr left;
    NodePtr right;
    int height;
  };

  PersistentMap(NodePtr root, size_t size) : root_(std::move(root)), size_(size) {}

  static int Height(const NodePtr& n) { return n ? n->height : 0; }

  static NodePtr Make(Entry entry, NodePtr left, NodePtr right) {
    return std::make_shared<const Node>(std::move(entry), std::move(left), std::move(right));
  }

  // A node holding `entry` over `left` and `right`, whose heights differ by
  // at most 2 (one insert or erase below): rotates to restore |diff| <= 1.
  static NodePtr Balance(Entry entry, NodePtr left, NodePtr right) {
    const int hl = Height(left);
    const int hr = Height(right);
    if (hl > hr + 1) {
      if (Height(left->left) >= Height(left->right)) {  // single right rotation
        return Make(left->entry, left->left, Make(std::move(entry), left->right, std::move(right)));
      }
      const Node& lr = *left->right;  // left-right: double rotation
      return Make(lr.entry, Make(left->entry, left->left, lr.left),
                  Make(std::move(entry), lr.right, std::move(right)));
    }
    if (hr > hl + 1) {
      if (Height(right->right) >= Height(right->left)) {  // single left rotation
        return Make(right->entry, Make(std::move(entry), std::move(left), right->left),
                    right->right);
      }
      const Node& rl = *right->left;  // right-left: double rotation
      return Make(rl.entry, Make(std::move(entry), std::move(left), rl.left),
                  Make(right->entry, rl.right, right->right));
    }
    return Make(std::move(entry), std::move(left), std::move(right));
  }

  NodePtr InsertAt(const NodePtr& n, Entry&& entry, bool& inserted) const {
    if (!n) {
      inserted = true;
      return Make(std::move(entry), nullptr, nullptr);
    }
    if (compare_(entry.first, n->entry.first)) {
      NodePtr left = InsertAt(n->left, std::move(entry), inserted);
      return Balance(n->entry, std::move(left), n->right);
    }
    if (compare_(n->entry.first, entry.first)) {
      NodePtr right = InsertAt(n->right, std::move(entry), inserted);
      return Balance(n->entry, n->left, std::move(right));
    }
    return Make(std::move(entry), n->left, n->right);  // replace the value
  }

  // Removes the smallest entry under `n` into `min`; returns the rest.
  static NodePtr RemoveMin(const NodePtr& n, std::optional<Entry>& min) {
    if (!n->left) {
      min.emplace(n->entry);
      return n->right;
    }
    NodePtr left = RemoveMin(n->left, min);
    return Balance(n->entry, std::move(left), n->right);
  }

  template <class Key>
  NodePtr EraseAt(const NodePtr& n, const Key& key, bool& erased) const {
    if (!n) return n;
    if (compare_(key, n->entry.first)) {
      NodePtr left = EraseAt(n->left, key, erased);
      return erased ? Balance(n->entry, std::move(left), n->right) : n;
    }
    if (compare_(n->entry.first, key)) {
      NodePtr right = EraseAt(n->right, key, erased);
      return erased ? Balance(n->entry, n->left, std::move(right)) : n;
    }
    erased = true;
    if (!n->left) return n->right;
    if (!n->right) return n->left;
    std::optional<Entry> min;
    NodePtr right = RemoveMin(n->right, min);
    return Balance(std::move(*min), n->left, std::move(right));
  }

  // The height of the subtree, or -1 when an invariant is broken.
  template <class Visit>
  int CheckAt(const Node* n, const K* low, const K* high, Visit& visit, size_t& count) const {
    if (n == nullptr) return 0;
    visit(static_cast<const void*>(n));
    ++count;
    if ((low != nullptr && !compare_(*low, n->entry.first)) ||
        (high != nullptr && !compare_(n->entry.first, *high))) {
      return -1;
    }
    const int hl = CheckAt(n->left.get(), low, &n->entry.first, visit, count);
    const int hr = CheckAt(n->right.get(), &n->entry.first, high, visit, count);
    if (hl < 0 || hr < 0 || hl - hr > 1 || hr - hl > 1) return -1;
    const int h = 1 + std::max(hl, hr);
    return h == n->height ? h : -1;
  }

  NodePtr root_;
  size_t size_ = 0;
  [[no_unique_address]] Compare compare_;
};

}  // namespace bp::storage
