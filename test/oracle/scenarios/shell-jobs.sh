# wait and kill with job specs (%N, %%, %+, %-) and their errors, and how wait reports a job that a
# signal ends while it waits (busybox ash without job control).
t run --rm $IMG sh -c 'sleep 5 & p=$!; (sleep 0.3; kill $p) & wait $p; echo "status $?"'
t run --rm $IMG sh -c 'sleep 5 & p=$!; kill $p; sleep 0.3; wait $p; echo "status $?"'
t run --rm $IMG sh -c 'sleep 5 & p=$!; (sleep 0.3; kill $p) & wait; echo "status $?"'
t run --rm $IMG sh -c 'sleep 0.2 & sleep 0.1 & wait %2; echo "s $?"; wait %%; echo "t $?"'
t run --rm $IMG sh -c 'wait %3; echo "s $?"'
t run --rm $IMG sh -c 'sleep 0.2 & wait %-; echo "s $?"'
t run --rm $IMG sh -c 'sleep 5 & kill %1; sleep 0.3; wait; echo "s $?"'
t run --rm $IMG sh -c 'sleep 5 & kill %+; sleep 0.3; wait %+; echo "s $?"'
t run --rm $IMG sh -c 'wait %%; echo "s $?"; wait %+; echo $?'
t run --rm $IMG sh -c 'sleep 5 & p=$!; (sleep 0.3; kill -9 $p) & wait %1; echo "status $?"'
